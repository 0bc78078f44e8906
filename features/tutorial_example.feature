@carepath
Feature: Febrile neutropenia triage
  A protocol author states what the protocol must decide, in the protocol's own words,
  and carepath checks it: no Python needed.

  Background:
    Given the protocol:
      """
      protocol febrile_neutropenia "Febrile neutropenia triage (tutorial example)"
        version "0.1.0"

      input
        anc   : quantity /uL plausible 0 /uL .. 100000 /uL
        fever : boolean

      criterion neutropenia "Absolute neutrophil count below 500/µL":
        anc < 500 /uL

      classify triage "Where the child is seen":
        admit  when fever and neutropenia
        clinic otherwise
      """

  Scenario: A febrile child with neutropenia is admitted
    Given a patient "A" with:
      | anc   | 320 /uL |
      | fever | true    |
    When the protocol is evaluated
    Then patient "A" is assigned "admit" for "triage"
    And "triage" for patient "A" was decided by "fever, neutropenia"
    And the explanation for patient "A" shows "anc 320 /µL < 500 /µL"

  Scenario: Without fever the missing count does not matter
    Given a patient "B" with:
      | anc   |       |
      | fever | false |
    When the protocol is evaluated
    Then patient "B" is assigned "clinic" for "triage"
    And "triage" for patient "B" was decided by "fever"

  Scenario: With fever the missing count is needed
    Given a patient "C" with:
      | anc   |      |
      | fever | true |
    When the protocol is evaluated
    Then patient "C" is undetermined and needs "anc"
